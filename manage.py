#!/usr/bin/env python
from uplift.manage import main

if __name__ == "__main__":
    main()
