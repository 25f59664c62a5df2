"""The demo company: a believable carpet and upholstery cleaning business in Shanghai.

`python -m core.demo --customers N --orders M --seed S` fills an empty database with its
users, districts, customers, service catalogue, technicians and rosters, recurring
contracts and three years of orders (with their history and payments), the store
room those jobs drew on (suppliers, stock items, the materials per service, the purchase
orders that kept it stocked and every stock movement) and the people who did the work:
profiles in teams, supervisors and office staff, certificates, trainings, leave requests
and the attendance that matches the jobs (one technician left, one is on leave now); the
same seed always gives the same company. `benchmarks/demo_scale.py` times it at a million orders.
"""
