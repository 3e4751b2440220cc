"""Demand forecast for business-park land in Parkstad Limburg and Heerlen (001, Bijlage 3)."""

from demand.forecast import Estimate, Forecast, forecast, load_demand_source
from demand.settings import DemandSettings
from demand.split import split_segments

__all__ = ["DemandSettings", "Estimate", "Forecast", "forecast", "load_demand_source", "split_segments"]
