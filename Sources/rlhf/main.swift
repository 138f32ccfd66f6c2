RLHF.main()
