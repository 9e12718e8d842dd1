# Read by gunicorn from the working directory (the Dockerfile's, docker-compose's and bin/run's): the access log
# masks the phone numbers in query strings and headers (cac/log_privacy.py).
logger_class = "cac.log_privacy.GunicornLogger"
