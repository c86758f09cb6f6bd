from devtools.devstack.stack import main

main()
