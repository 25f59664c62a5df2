"""Customers from a CSV file: a dry run lists every row's problems before anything is written."""

from core.services.customers import customers
from ui.importer import import_view

import_view(customers, back="customers")
