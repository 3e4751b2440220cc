"""Demand forecast for business-park land in Parkstad Limburg and Heerlen (001, Bijlage 3)."""

from demand.forecast import DemandSource, Estimate, Forecast, forecast
from demand.settings import DemandSettings
from demand.split import split_segments

__all__ = ["DemandSettings", "DemandSource", "Estimate", "Forecast", "forecast", "split_segments"]
