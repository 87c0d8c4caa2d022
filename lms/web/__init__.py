"""The page shell: the base template, static assets, cookie sessions and CSRF for the pages
people use in a browser. Each app keeps its own pages (``pages.py`` and ``templates/``) beside
its controllers and builds their router with :func:`lms.web.shell.page_router`."""
