"""The verbs of ``manage.py maintenance_mode``, one module each: ``on`` and ``off``
(:mod:`.switch`), ``status`` (:mod:`.status`), ``wait`` (:mod:`.wait`), ``render``
(:mod:`.render`), ``bypass`` (:mod:`.bypass`), ``token`` (:mod:`.token`) and ``exec``
(:mod:`.execute`). Each has a ``run`` that the command calls with itself (for its
output streams) and the parsed options."""
