"""Streamlit helpers shared by every page: login, navigation, forms, tables, downloads."""
