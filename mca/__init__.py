"""mca-sites: multi-criteria site selection and demand allocation for business parks."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mca-sites")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
