"""Web app entry point: `python app.py` (or `make run`)."""
from assistant.ui.app import main

if __name__ == "__main__":
    raise SystemExit(main())
