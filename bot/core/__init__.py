"""What every capability needs; it imports no capability (as `rasa.shared` imports no `rasa.core`).

* `base` - the declarative `Base` every table is declared on, UTC timestamps, enum columns;
* `errors` - the back end's error hierarchy (`BotError` and its subclasses);
* `money` - integer cents and `Decimal`, never float; `dates` - billing months and day labels;
* `clock` - the current time as an injectable callable;
* `schemas` - the API bodies every capability shares (`Schema`, `Id`, the error body).

Capabilities (`billing`, `safety`, `review`, `disputes`, `commerce`, `desk`) import from here;
tests/bot/test_boundaries.py holds the rule that nothing here imports them.
"""
