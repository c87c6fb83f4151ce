"""Plain Python behind the app (never imports Streamlit), by domain; dependencies run one way:

- ``core.chat``          a reply streamed from DeepSeek-R1: endpoint, events, SSE, reasoning parser,
                         reply, page frames, the retry policy and fault naming; one provider object
                         per route in ``core.chat.providers``.
- ``core.setup``         configuration: the settings table and its resolution, routes, presets,
                         checks, the wizard, the env file, Verify. It uses ``core.chat`` to verify.
- ``core.conversations`` storage: database, migrations, message records, store, export. It keeps
                         chat's value types but loads no provider and no SDK.
- shared, importing none of the above: ``diagnosis`` (a named failure), ``redact``, ``logs``,
  ``i18n`` with ``locales/``, ``place``, ``untrusted`` (model and user text made inert: links,
  titles, HTML in exports).
- ``core.doctor``        ``python -m core.doctor``: Setup in a terminal, a front end like the pages.

tests/test_architecture.py holds these rules.
"""
