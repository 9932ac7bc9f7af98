from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine("postgresql://localhost/legacy")
Session = sessionmaker(bind=engine)
