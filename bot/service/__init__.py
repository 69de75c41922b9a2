"""Service figures (issue 13 part 6): how conversations ended, the end-of-conversation survey's
answers, and what the desk's Service page shows from them and the handoff tickets."""
