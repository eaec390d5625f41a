"""One module per family of commands.

Each exports `HANDLERS`: command name -> handler(acc, name, args), which records on `acc` what
the command may do. Handlers import the modules below them (tokens, options, targets, tables,
accumulator) and sometimes another family's handler, never the engine.
"""
