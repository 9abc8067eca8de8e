import sys

try:
    from bomaudit.cli import main
except KeyboardInterrupt:  # Ctrl-C before bomaudit.cli installed its hook
    sys.stderr.write("error: interrupted\n")
    sys.exit(130)

main()
