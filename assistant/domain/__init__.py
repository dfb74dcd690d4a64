"""Domain knowledge: indicator registry, exact calculators, numeric questions and school tables."""
