"""The speed benchmark of the CAC (`make bench`): pages, writes, reports, the deadline sweep and a short load test,
measured against the large data set of `make bench-data` and written to bench/results/."""
