"""The call desk: customers, vehicles, calls, what an agent works with on the phone."""
