"""Declarative entities: one description per entity drives its forms, tables, search, import and export."""
