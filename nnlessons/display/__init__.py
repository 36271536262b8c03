"""What the reader sees: plots (:mod:`.plot`), computational-graph drawings and the backprop stepper
(:mod:`.graph`), slider explorers (:mod:`.explore`) and self-check questions (:mod:`.quiz`).

Nothing here computes a gradient of its own; everything draws or shows what the engine computed.
"""
