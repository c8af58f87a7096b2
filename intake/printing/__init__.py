


def init_app(app) -> None:
    import os

    from ..services.label_stock import load_stocks
    from .routes import bp

    # Read once at start: a malformed stock file stops the app here, naming the file and field.
    folder = app.config["LABELS_DIR"] or os.path.join(os.path.dirname(app.root_path), "labels")
    app.extensions["label_stocks"] = load_stocks(folder)
    app.register_blueprint(bp)
