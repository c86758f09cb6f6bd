"""The composition root: everything is built by `ioc.container.build_container`."""
