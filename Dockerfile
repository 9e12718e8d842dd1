FROM python:3.11-slim-bookworm

# CAC_PRODUCTION: the settings refuse DEBUG in this image, whatever an environment variable says.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 CAC_PRODUCTION=1

# gettext compiles translations; the CJK font and Pango render Chinese in generated PDFs (WeasyPrint);
# poppler-utils reads PDFs back in the tests; postgresql-client is the backup's pg_dump and pg_restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils curl postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home /app cac \
    && mkdir -p /app/media /beat /backups && chown -R cac /app/media /beat /backups

USER cac
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "cac.wsgi"]
