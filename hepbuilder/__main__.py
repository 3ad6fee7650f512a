from hepbuilder.cli import main

main()
