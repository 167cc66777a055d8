"""``classify review``: a local coding workbench in the browser.

A coder reads a document clause by clause beside the model's suggestions, accepts, rejects,
grades and adds categories, and every decision is saved at once as training data for
``classify train``. One module per concern:

- :mod:`.suggest`: the one adapter to the model (suggestions, evidence as clause indices);
- :mod:`.queue`: which documents to review first;
- :mod:`.store`: the saved decisions and the two files ``classify train`` reads;
- :mod:`.app`: the web app (the only module that imports Starlette and uvicorn).
"""
