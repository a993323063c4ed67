import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")

application = get_wsgi_application()

from eldercare.startup import refuse_demo_secret_in_production  # noqa: E402

refuse_demo_secret_in_production()
