"""`python -m core.demo --customers N --orders M --seed S`: seed the demo company into an empty database.

With --orders 0 only the users, areas and customers are made."""

from __future__ import annotations

import argparse
import time

from core import migrate
from core.demo.generate import DEMO_CUSTOMERS, DEMO_ORDERS, DEMO_USERS, seed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m core.demo", description=__doc__)
    parser.add_argument(
        "--customers", type=int, default=DEMO_CUSTOMERS, help=f"how many customers (default {DEMO_CUSTOMERS:,})"
    )
    parser.add_argument(
        "--orders", type=int, default=DEMO_ORDERS, help=f"orders over three years (default {DEMO_ORDERS:,})"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed; the same seed gives the same company")
    args = parser.parse_args(argv)
    migrate.upgrade()
    timings: dict[str, float] = {}
    began = time.perf_counter()
    try:
        made = seed(customers=args.customers, orders=args.orders, seed_value=args.seed, timings=timings)
    except (RuntimeError, ValueError) as refused:
        parser.exit(1, f"{refused}\n")
    print(f"Demo company seeded in {time.perf_counter() - began:.1f} s: {made}")
    print_logins()


def print_logins() -> None:
    print("Demo logins (role, username, password):")
    for user in DEMO_USERS:
        print(f"  {user.role:<11} {user.username:<11} {user.password}")


if __name__ == "__main__":
    main()
