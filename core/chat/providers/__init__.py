"""One provider object per route: how it builds its client, streams a reply and names its faults."""
