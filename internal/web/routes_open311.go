package web

func (s *Server) open311Routes() {}
