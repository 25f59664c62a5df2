"""One order: summary and next steps, changes, payments, history."""

from ui import order_page

order_page.render()
