"""Answer stage: route a question, compose a grounded answer from verbatim quotes, check it."""
