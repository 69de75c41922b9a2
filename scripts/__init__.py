"""Project scripts; a package so `scripts.nlu_eval` imports ahead of tests/scripts."""
