"""Which static files ``collectstatic`` gathers, in one place for the Docker image, the load
test and the tests (they all run plain ``manage.py collectstatic``).

Apache ECharts' npm package carries several builds; the pages load ``echarts.min.js`` only.
The manifest storage rewrites every ``sourceMappingURL`` of a collected script to the map's
hashed name, so a map is left out only together with every script that names it (leaving out
``*.map`` alone makes ``collectstatic`` fail).
"""

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    ignore_patterns = [
        *DjangoStaticFilesConfig.ignore_patterns,
        # ECharts' other builds and their maps (matched against the file's name)
        "*.esm*",
        "*.common*",
        "*.simple*",
        "echarts.js",
        "echarts.js.map",
        # ECharts' extensions (bmap, dataTool), unused
        "extension",
    ]
