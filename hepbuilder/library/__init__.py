"""Library files layer: reads and writes exercise_library/ (YAML) as domain objects. Imports domain and illustrations only; never Flask or the database."""
