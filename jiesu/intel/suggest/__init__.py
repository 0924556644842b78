"""Ticket suggestions: category at each level of the tree, kind, urgency and lead unit, learnt
from the center's own closed tickets and the agents' corrections (docs/intel-suggestions.md).

`heads` is the model (pure: no ORM), `dataset` reads the training rows from the database,
`registry` keeps versioned model files and the active version, `services` makes and records
suggestions, `selectors` reads them for pages and the API."""
