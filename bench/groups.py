"""The pages `make bench` times again as users of every dealer (seed_bench's group users). No Django here: the
command line reads the keys before Django is set up."""

# The pages timed again as a user of every dealer (seed_bench's group users): role -> the items' keys.
GROUP_ITEMS = {
    "group-service": ["360", "list", "list200", "detail", "triage", "worklistall", "keyvehicles", "sanbao"],
    "group-director": ["list", "list200", "detail", "triage", "board", "dashboard"],
}
GROUP_PREFIX = {"group-service": "gs-", "group-director": "gd-"}
GROUP_KEYS = [GROUP_PREFIX[role] + key for role, keys in GROUP_ITEMS.items() for key in keys]
