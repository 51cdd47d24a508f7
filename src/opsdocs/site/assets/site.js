// The portal's one script: who is on call (from the schedule data, at the viewer's clock) and
// search (over the index built with the site). It writes text only, never HTML.
(function () {
  "use strict";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  var timeFormat = new Intl.DateTimeFormat(undefined, {
    weekday: "short", year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });

  function when(ms) {
    var node = el("time", timeFormat.format(new Date(ms)));
    node.setAttribute("datetime", new Date(ms).toISOString());
    return node;
  }

  // -- on-call ----------------------------------------------------------------------------
  // shifts: [start ms, end ms, member, rotation], sorted by start
  function onCallAt(level, now) {
    var found = [];
    level.shifts.forEach(function (s) {
      if (s[0] <= now && now < s[1]) {
        var until = s[1];
        var grown = true;
        while (grown) { // contiguous shifts of the same person are one stretch
          grown = false;
          level.shifts.forEach(function (t) {
            if (t[2] === s[2] && t[0] <= until && until < t[1]) { until = t[1]; grown = true; }
          });
        }
        found.push({ member: s[2], rotation: s[3], until: until });
      }
    });
    return found;
  }

  function nextHandoffs(team, now, count) {
    var events = [];
    team.levels.forEach(function (level) {
      level.shifts.forEach(function (s) {
        if (s[0] > now && s[3] !== "person") {
          events.push({ at: s[0], member: s[2], rotation: s[3], level: level.number });
        }
      });
    });
    events.sort(function (a, b) { return a.at - b.at || a.level - b.level; });
    return events.slice(0, count);
  }

  function renderOnCall(data) {
    var now = Date.now();
    var covered = now >= data.from && now < data.to;
    var zone = document.querySelector("[data-oncall-zone]");
    if (zone) zone.textContent = Intl.DateTimeFormat().resolvedOptions().timeZone || "local";
    var stale = document.querySelector("[data-oncall-stale]");
    if (stale && !covered) {
      stale.hidden = false;
      stale.textContent = "Your clock is outside the schedule data this page carries: rebuild the site to see who is on call.";
    }
    var teams = {};
    data.teams.forEach(function (t) { teams[t.name] = t; });

    document.querySelectorAll("[data-oncall-primary]").forEach(function (node) {
      var team = teams[node.getAttribute("data-oncall-primary")];
      if (!team || !covered || !team.levels.length) { node.textContent = "unknown"; return; }
      var people = onCallAt(team.levels[0], now).map(function (m) { return m.member; });
      node.textContent = people.length ? people.join(", ") : "nobody (a gap)";
    });

    document.querySelectorAll("[data-oncall-now]").forEach(function (body) {
      var team = teams[body.getAttribute("data-oncall-now")];
      clear(body);
      if (!team) return;
      team.levels.forEach(function (level) {
        var row = el("tr");
        row.appendChild(el("th", "Level " + level.number + (level.after && level.after !== "0m" ? " (after " + level.after + ")" : "")));
        row.lastChild.setAttribute("scope", "row");
        var who = el("td");
        var until = el("td");
        var members = covered ? onCallAt(level, now) : [];
        if (!members.length) {
          who.textContent = covered ? "nobody (a gap in cover)" : "unknown";
          until.textContent = "—";
        }
        members.forEach(function (m, i) {
          if (i) { who.appendChild(document.createElement("br")); until.appendChild(document.createElement("br")); }
          who.appendChild(el("strong", m.member));
          who.appendChild(document.createTextNode(m.rotation === "person" ? "" : " (" + m.rotation + ")"));
          if (m.rotation === "person" || m.until >= data.to) until.appendChild(document.createTextNode("—"));
          else until.appendChild(when(m.until));
        });
        row.appendChild(who);
        row.appendChild(until);
        body.appendChild(row);
      });
    });

    document.querySelectorAll("[data-oncall-next]").forEach(function (list) {
      var team = teams[list.getAttribute("data-oncall-next")];
      clear(list);
      if (!team) return;
      var events = covered ? nextHandoffs(team, now, 6) : [];
      if (!events.length) list.appendChild(el("li", "No handoff in the schedule data."));
      events.forEach(function (e) {
        var item = el("li");
        item.appendChild(when(e.at));
        item.appendChild(document.createTextNode(" " + e.member + " (" + e.rotation + ", level " + e.level + ")"));
        list.appendChild(item);
      });
    });
  }

  // -- search -----------------------------------------------------------------------------
  function terms(query) {
    return query.toLowerCase().split(/\s+/).map(function (t) {
      return t.replace(/^[.,;:!?()\[\]{}"'`*_<>|]+|[.,;:!?()\[\]{}"'`*_<>|]+$/g, "");
    }).filter(function (t) { return t.length > 0; });
  }

  function score(doc, words) {
    var title = doc.t.toLowerCase();
    var text = " " + doc.w + " ";
    var total = 0;
    var headings = [];
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      var s = 0;
      if (title.indexOf(w) >= 0) s += 10;
      doc.h.forEach(function (h) {
        if (h[0].toLowerCase().indexOf(w) >= 0) { s += 4; if (headings.indexOf(h) < 0) headings.push(h); }
      });
      if (text.indexOf(" " + w) >= 0) s += 1;
      if (!s) return null;
      total += s;
    }
    return { score: total, headings: headings };
  }

  function runSearch(index) {
    var input = document.getElementById("search-query");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!input || !list || !status) return;
    var root = list.getAttribute("data-root") || "";
    function update() {
      clear(list);
      var words = terms(input.value);
      if (!words.length) { status.textContent = "Type a word to search " + index.length + " documents."; return; }
      var hits = [];
      index.forEach(function (doc) {
        var found = score(doc, words);
        if (found) hits.push({ doc: doc, found: found });
      });
      hits.sort(function (a, b) { return b.found.score - a.found.score || (a.doc.t < b.doc.t ? -1 : 1); });
      status.textContent = hits.length + (hits.length === 1 ? " document matches." : " documents match.");
      hits.slice(0, 100).forEach(function (hit) {
        var item = el("li");
        var link = el("a", hit.doc.t);
        link.href = root + hit.doc.u;
        item.appendChild(link);
        item.appendChild(el("span", " · " + hit.doc.k, "where"));
        if (hit.found.headings.length) {
          var sub = el("ul");
          hit.found.headings.slice(0, 5).forEach(function (h) {
            var li = el("li");
            var a = el("a", h[0]);
            a.href = root + hit.doc.u + "#" + h[1];
            li.appendChild(a);
            sub.appendChild(li);
          });
          item.appendChild(sub);
        }
        if (hit.doc.s) item.appendChild(el("p", hit.doc.s.slice(0, 200), "where"));
        list.appendChild(item);
      });
    }
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) input.value = params.get("q");
    input.addEventListener("input", update);
    update();
  }

  function start() {
    if (window.OPSDOCS_ONCALL) renderOnCall(window.OPSDOCS_ONCALL);
    if (window.OPSDOCS_SEARCH) runSearch(window.OPSDOCS_SEARCH);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
