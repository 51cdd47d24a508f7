"""Disaster recovery and business continuity: the plan as data, backup evidence, DR rules."""
