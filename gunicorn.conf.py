# Read by gunicorn from the working directory (the Dockerfile's, docker-compose's and bin/run's): the access log
# masks the phone numbers in query strings and headers (cac/security/log_privacy.py).
logger_class = "cac.security.log_privacy.GunicornLogger"
