"""A session's agenda: items with module, trainer and room, clashes, the JP check and a trainer's
own agenda."""
