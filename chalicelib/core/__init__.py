"""The dialect-neutral core: pure Python, no chalice, boto3 or pynamodb imports."""
