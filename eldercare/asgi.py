import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")

application = get_asgi_application()

from eldercare.startup import refuse_demo_secret_in_production  # noqa: E402

refuse_demo_secret_in_production()
