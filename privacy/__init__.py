"""What the product never keeps: card details, dates, postcodes; the same rules in both runtimes.

Standard library only, so the back end (.venv, through the editable install) and the Rasa
processes (.venv-rasa, started from the repository root like `addons`) import the same code:

* `masking` - the text rules: card numbers, card security codes, full dates, labelled postcodes;
* `logs` - a logging filter that drops conversation dumps and masks what else gets through.
"""
