from opsdocs.cli import main

main()
