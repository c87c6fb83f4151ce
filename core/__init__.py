"""Plain-Python core of the DeepSeek-R1 chat app; never imports streamlit."""
