from bomaudit.cli import main

main()
