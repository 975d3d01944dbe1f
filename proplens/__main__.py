from proplens.cli import main

main()
