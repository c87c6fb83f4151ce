"""Streamlit widgets shared by the pages (the pages stay thin; ``core`` stays free of Streamlit)."""
