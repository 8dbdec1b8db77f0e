"""Safeguarding: the deterministic danger check and the fixed safety texts."""

from assistant.safeguarding.detector import SafeguardingDetector, SafetyTexts

__all__ = ["SafeguardingDetector", "SafetyTexts"]
