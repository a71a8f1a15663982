"""Models written in the sdflow DSL: regional economic integration, and reference models
with known behaviour. Every model module exposes ``build(**options) -> sdflow.Model``."""
