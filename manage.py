#!/usr/bin/env python
import os
import sys


def main() -> None:
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):  # unset or empty
        os.environ["DJANGO_SETTINGS_MODULE"] = "eldercare.settings"
    from django.core.management import execute_from_command_line

    if len(sys.argv) > 1 and sys.argv[1] == "runserver":
        import django

        django.setup()
        from eldercare.startup import refuse_demo_secret_in_production

        refuse_demo_secret_in_production()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
