"""mca-sites: multi-criteria site selection and demand allocation for business parks."""


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata when first asked for.

    Importing `importlib.metadata` takes about 20 ms, which every start of the CLI paid.
    """
    if name != "__version__":
        raise AttributeError(f"module 'mca' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mca-sites")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0.0.0+unknown"
